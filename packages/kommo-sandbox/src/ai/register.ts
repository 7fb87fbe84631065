import { type FastifyInstance } from 'fastify';
import { type SandboxContext } from '../context.js';

/** Registers the fake AI providers (OpenAI, Dify, Chatbase). */
export function registerAiProviders(_app: FastifyInstance, _context: SandboxContext): void {}
