import { type FastifyInstance } from 'fastify';
import { type SandboxContext } from '../context.js';

/** Registers the widget host page (loads widget.zip like Kommo). */
export function registerWidgetHost(_app: FastifyInstance, _context: SandboxContext): void {}
