import { type FastifyInstance } from 'fastify';
import { type SandboxContext } from '../context.js';

/** Registers the salesbot engine and the chat page. */
export function registerSalesbot(_app: FastifyInstance, _context: SandboxContext): void {}
