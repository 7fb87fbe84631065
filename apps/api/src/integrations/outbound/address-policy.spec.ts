import { describe, expect, it } from 'vitest';
import { isIpLiteral, isPrivateAddress } from './address-policy';

describe('isPrivateAddress', () => {
  it.each([
    '0.0.0.0',
    '0.1.2.3',
    '10.0.0.1',
    '10.255.255.255',
    '100.64.0.1',
    '100.127.255.254',
    '127.0.0.1',
    '127.1.2.3',
    '169.254.169.254',
    '172.16.0.1',
    '172.31.255.255',
    '192.0.0.8',
    '192.168.1.1',
    '198.18.0.1',
    '198.19.255.255',
    '224.0.0.1',
    '239.255.255.250',
    '240.0.0.1',
    '255.255.255.255',
  ])('refuses IPv4 %s', (ip) => expect(isPrivateAddress(ip)).toBe(true));

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '100.63.255.255',
    '100.128.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '192.169.0.1',
    '198.17.255.255',
    '198.20.0.0',
    '169.253.255.255',
    '223.255.255.255',
    '11.0.0.1',
  ])('allows public IPv4 %s', (ip) => expect(isPrivateAddress(ip)).toBe(false));

  it.each([
    '::',
    '::1',
    '[::1]',
    '0:0:0:0:0:0:0:1',
    'fc00::1',
    'fd12:3456:789a::1',
    'fe80::1',
    'fe80::1%eth0',
    'febf::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:169.254.169.254',
    '::ffff:10.0.0.1',
    '64:ff9b::127.0.0.1',
    '64:ff9b::a9fe:a9fe',
    '2002:7f00:1::',
    '::127.0.0.1',
  ])('refuses IPv6 %s', (ip) => expect(isPrivateAddress(ip)).toBe(true));

  it.each([
    '2606:4700:4700::1111',
    '2a00:1450:4001:81b::200e',
    '::ffff:8.8.8.8',
    '::ffff:808:808',
    '64:ff9b::8.8.8.8',
    '2002:808:808::1',
  ])('allows public IPv6 %s', (ip) => expect(isPrivateAddress(ip)).toBe(false));

  it.each(['example.com', '', '1.2.3', '256.1.1.1', 'gggg::1', '1::2::3'])(
    'fails closed on %j, which is not an IP address',
    (value) => expect(isPrivateAddress(value)).toBe(true),
  );
});

describe('isIpLiteral', () => {
  it('recognises v4, v6 and bracketed v6, not names', () => {
    expect(isIpLiteral('127.0.0.1')).toBe(true);
    expect(isIpLiteral('[::1]')).toBe(true);
    expect(isIpLiteral('::ffff:7f00:1')).toBe(true);
    expect(isIpLiteral('localhost')).toBe(false);
    expect(isIpLiteral('api.openai.com')).toBe(false);
  });
});
