import { type FastifyInstance } from 'fastify';
import { type SandboxContext } from '../context.js';
import { registerChatbase } from './chatbase.js';
import { registerAiControlApi } from './control-api.js';
import { registerDify } from './dify.js';
import { installMultipartParser, registerOpenAiAudio } from './openai-audio.js';
import { registerOpenAiChat } from './openai-chat.js';
import { registerOpenAiConversations } from './openai-conversations.js';
import { registerOpenAiResponses } from './openai-responses.js';
import { installOpenAiErrors } from './openai-shared.js';
import { type AiDeps } from './pipeline.js';
import { AiState } from './state.js';

/** Base paths the backend is configured with (each provider's SDK/base URL). */
export const AI_PREFIXES = {
  openai: '/openai/v1',
  dify: '/dify/v1',
  chatbase: '/chatbase/api',
  control: '/_sandbox/ai',
} as const;

/**
 * Registers the fake AI providers (OpenAI, Dify, Chatbase) and their control API. Each provider
 * lives in its own encapsulated scope so its error shapes and parsers stay its own.
 */
export function registerAiProviders(app: FastifyInstance, context: SandboxContext): void {
  const deps: AiDeps = { state: new AiState(context.clock), clock: context.clock };
  // The sandbox-wide `POST /_sandbox/reset` clears the AI fakes too.
  context.resetHooks.add(() => deps.state.reset());
  // Hung or slow requests would keep `close()` waiting; drop them first.
  app.addHook('preClose', (done) => {
    deps.state.shutdown();
    done();
  });

  void app.register(
    (scope, _options, done) => {
      installOpenAiErrors(scope);
      installMultipartParser(scope);
      registerOpenAiChat(scope, deps);
      registerOpenAiResponses(scope, deps);
      registerOpenAiConversations(scope, deps);
      registerOpenAiAudio(scope, deps);
      done();
    },
    { prefix: AI_PREFIXES.openai },
  );
  void app.register(
    (scope, _options, done) => {
      registerDify(scope, deps);
      done();
    },
    { prefix: AI_PREFIXES.dify },
  );
  void app.register(
    (scope, _options, done) => {
      registerChatbase(scope, deps);
      done();
    },
    { prefix: AI_PREFIXES.chatbase },
  );
  void app.register(
    (scope, _options, done) => {
      registerAiControlApi(scope, deps);
      done();
    },
    { prefix: AI_PREFIXES.control },
  );
}
