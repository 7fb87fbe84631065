import { type FastifyInstance } from 'fastify';
import { type SandboxContext } from '../context.js';

/** Registers the Kommo core: OAuth, API v4, rate limit, control API. */
export function registerKommo(_app: FastifyInstance, _context: SandboxContext): void {}
