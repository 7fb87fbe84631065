import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BotHarness, isRunStatus, startBotSandbox } from './salesbot-harness.js';

const show = (value: string) => ({ handler: 'show', params: { type: 'text', value } });
const goto = (step: number, type = 'question') => ({ handler: 'goto', params: { type, step } });
const action = (name: string, params: Record<string, unknown>) => ({
  handler: 'action',
  params: { name, params },
});

describe('salesbot handlers', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotSandbox();
  });
  afterAll(() => h.close());

  it('sends show text and buttons, and answers a button through the answer block', async () => {
    await h.uploadBot([
      {
        question: [
          {
            handler: 'show',
            params: { type: 'buttons', value: 'Pick one', buttons: ['Offline', 'Online'] },
          },
        ],
        answer: [
          {
            handler: 'buttons',
            params: [
              { value: 'Offline', params: [show('You chose offline')] },
              { regex: '/onl?ine/iu', params: [show('You chose online')] },
            ],
          },
        ],
      },
    ]);
    const lead = h.lead();
    await h.say(lead, 'hi');
    let chat = await h.waitForChat(lead, isRunStatus('waiting_answer'));
    const offer = chat.entries.find((e) => e.kind === 'bot');
    expect(offer).toMatchObject({ text: 'Pick one', buttons: ['Offline', 'Online'] });
    await h.say(lead, 'ONLINE please');
    chat = await h.waitForChat(lead, isRunStatus('finished'));
    expect(h.texts(chat, 'bot')).toEqual(['Pick one', 'You chose online']);
  });

  it('sets custom fields with placeholders, appending to the old value', async () => {
    const message = h.field('MESSAGE');
    const copy = h.field('COPY', 'text');
    // The Visual Builder's form below is not the documented one: lenient mode for this upload.
    await h.control('PATCH', '/salesbot/settings', { strict: false });
    await h.uploadBot([
      {
        question: [
          action('set_custom_fields', {
            type: 2,
            custom_fields_id: message,
            value: '{{lead.cf.' + message + '}} {{message_text}}',
          }),
          // The Visual Builder's form: the field as a placeholder, no custom_fields_id.
          action('set_custom_fields', {
            type: 'lead',
            custom_field: `{{lead.cf.${copy}}}`,
            value: 'lead {{lead.id}}',
          }),
        ],
      },
    ]);
    const lead = h.lead();
    h.context.kommo.setLeadFieldValue(h.accountId, lead, message, 'first');
    await h.say(lead, 'second');
    const chat = await h.waitForChat(lead, isRunStatus('finished'));
    await h.control('PATCH', '/salesbot/settings', { strict: true });
    expect(h.context.kommo.getLeadFieldValue(h.accountId, lead, message)).toBe('first second');
    expect(h.context.kommo.getLeadFieldValue(h.accountId, lead, copy)).toBe(`lead ${lead}`);
    expect(h.texts(chat, 'field')).toEqual(['MESSAGE = first second', `COPY = lead ${lead}`]);
    expect(chat.lead?.fields).toContainEqual(
      expect.objectContaining({ id: message, name: 'MESSAGE', value: 'first second' }),
    );
  });

  it('records a rejected field value (text over 256 characters) and goes on', async () => {
    const short = h.field('SHORT', 'text');
    await h.uploadBot([
      {
        question: [
          action('set_custom_fields', { type: 2, custom_fields_id: short, value: 'x'.repeat(300) }),
          show('after'),
        ],
      },
    ]);
    const lead = h.lead();
    await h.say(lead, 'go');
    const chat = await h.waitForChat(lead, isRunStatus('finished'));
    expect(h.texts(chat, 'error')[0]).toMatch(/set_custom_fields .*too long/i);
    expect(h.texts(chat, 'bot')).toEqual(['after']);
    expect(h.context.kommo.getLeadFieldValue(h.accountId, lead, short)).toBeNull();
  });

  it('adds and removes tags, adds notes and sends internal messages', async () => {
    await h.uploadBot([
      {
        question: [
          action('set_tag', { type: 2, value: 'salesbot' }),
          action('set_tag', { type: 2, value: ['{{origin}}', 'temp'] }),
          action('unset_tag', { type: 2, value: 'temp' }),
          action('add_note', {
            element_type: 2,
            note_type: 4,
            text: 'Customer said: {{message_text}}',
          }),
          {
            handler: 'send_internal',
            params: {
              entity_id: '{{lead.id}}',
              entity_type: 2,
              message: 'Lead {{lead.id}} needs a human',
            },
          },
        ],
      },
    ]);
    const lead = h.lead();
    await h.say(lead, 'help', { origin: 'whatsapp' });
    const chat = await h.waitForChat(lead, isRunStatus('finished'));
    expect(chat.lead?.tags.sort()).toEqual(['salesbot', 'whatsapp']);
    expect(h.context.kommo.listNotes(h.accountId, lead).map((n) => n.params.text)).toEqual([
      'Customer said: help',
    ]);
    expect(chat.lead?.notes.map((n) => n.text)).toEqual(['Customer said: help']);
    expect(h.texts(chat, 'internal')).toEqual([`Lead ${lead} needs a human`]);
    expect(h.texts(chat, 'tag_added')).toEqual(['salesbot', 'whatsapp', 'temp']);
    expect(h.texts(chat, 'tag_removed')).toEqual(['temp']);
  });

  it('follows goto to question and finish blocks, and stop ends the run', async () => {
    await h.uploadBot([
      { question: [show('zero'), goto(2), show('never')] },
      { question: [show('one')], finish: [show('finish of one')] },
      { question: [show('two'), goto(1, 'finish')] },
    ]);
    const lead = h.lead();
    await h.say(lead, 'go');
    let chat = await h.waitForChat(lead, isRunStatus('finished'));
    expect(h.texts(chat, 'bot')).toEqual(['zero', 'two', 'finish of one']);

    await h.uploadBot([
      { question: [show('zero'), goto(1, 'finish')] },
      {
        question: [],
        finish: [
          show('bye'),
          { handler: 'stop', params: { action: 'talk-close' } },
          show('not sent'),
        ],
      },
    ]);
    const other = h.lead();
    await h.say(other, 'go');
    chat = await h.waitForChat(other, isRunStatus('finished'));
    expect(h.texts(chat, 'bot')).toEqual(['zero', 'bye']);
    expect(h.texts(chat, 'event')).toContain('Talk closed');
  });

  it('ends the bot on goto finish of a step that does not exist, as editor exports do', async () => {
    await h.uploadBot([{ question: [show('only'), goto(46, 'finish'), show('never')] }]);
    const lead = h.lead();
    await h.say(lead, 'go');
    const chat = await h.waitForChat(lead, isRunStatus('finished', 'failed'));
    expect(chat.run).toMatchObject({ status: 'finished', end_reason: 'goto finish' });
    expect(h.texts(chat, 'bot')).toEqual(['only']);
  });

  it('starts another bot from stop salesbot-start', async () => {
    const second = await h.uploadBot([{ question: [show('second bot')] }], { active: false });
    await h.uploadBot([
      {
        question: [show('first bot')],
        finish: [{ handler: 'stop', params: { action: 'salesbot-start', bot: second } }],
      },
    ]);
    const lead = h.lead();
    await h.say(lead, 'go');
    const chat = await h.waitForChat(
      lead,
      (c) => c.run?.bot_id === second && c.run.status === 'finished',
    );
    expect(h.texts(chat, 'bot')).toEqual(['first bot', 'second bot']);
  });

  it('runs the "error" handlers when a step fails', async () => {
    await h.uploadBot({
      0: { question: [show('start'), goto(9)] },
      1: { question: [show('recovered')] },
      error: [action('set_tag', { type: 2, value: 'bot-error' }), goto(1)],
    });
    const lead = h.lead();
    await h.say(lead, 'go');
    const chat = await h.waitForChat(lead, isRunStatus('finished', 'failed'));
    expect(chat.run?.status).toBe('finished');
    expect(h.texts(chat, 'bot')).toEqual(['start', 'recovered']);
    expect(h.texts(chat, 'error')[0]).toMatch(/no question block in step 9/);
    expect(chat.lead?.tags).toEqual(['bot-error']);
  });

  it('stops a bot that loops past the step budget', async () => {
    await h.control('PATCH', '/salesbot/settings', { step_budget: 50 });
    try {
      await h.uploadBot([
        { question: [action('set_tag', { type: 2, value: 'loop' }), goto(1)] },
        { question: [goto(0)] },
      ]);
      const lead = h.lead();
      await h.say(lead, 'go');
      const chat = await h.waitForChat(lead, isRunStatus('failed'));
      expect(chat.run?.end_reason).toBe('step budget exhausted');
      expect(h.texts(chat, 'error')[0]).toMatch(/budget of 50 blocks/);
      expect(h.texts(chat, 'tag_added')).toHaveLength(25);
    } finally {
      await h.control('PATCH', '/salesbot/settings', { step_budget: 500 });
    }
  });

  it('renders {{contact.name}} from the chat and skips handlers it does not simulate', async () => {
    await h.uploadBot([
      {
        question: [
          { handler: 'preset', params: { name: 'contacts.get_base_info', params: {} } },
          show('Hello {{contact.first_name}} / {{contact.name}}'),
        ],
      },
    ]);
    const lead = h.lead();
    await h.say(lead, 'hi', { contact_name: 'Ana Souza' });
    const chat = await h.waitForChat(lead, isRunStatus('finished'));
    expect(h.texts(chat, 'bot')).toEqual(['Hello Ana / Ana Souza']);
    expect(h.texts(chat, 'event')).toContain('Handler "preset" is not simulated; skipped');
  });

  it('starts the newest active bot on a message, and a new run once the last one ended', async () => {
    await h.uploadBot([{ question: [show('inactive bot')] }], { active: false });
    await h.uploadBot([{ question: [show('active bot: {{message_text}}')] }]);
    const lead = h.lead();
    await h.say(lead, 'one');
    await h.waitForChat(lead, isRunStatus('finished'));
    await h.say(lead, 'two');
    const chat = await h.waitForChat(
      lead,
      (c) => h.texts(c, 'bot').length === 2 && c.run?.status === 'finished',
    );
    expect(h.texts(chat, 'bot')).toEqual(['active bot: one', 'active bot: two']);
  });
});
