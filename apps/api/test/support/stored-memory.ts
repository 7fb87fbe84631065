import {
  type AiProvider,
  type ProviderAnswer,
  type ProviderCall,
} from '../../src/integrations/ai-providers/provider.types';

/**
 * A provider as the pipeline uses it: the memory an answer returns is stored after it (the
 * pipeline stores it in the outcome's statement, `RequestOutcomesRepository.saveOutcome`), so tests of
 * several turns see the lead's memory move on.
 */
export function storingMemory<P extends AiProvider>(provider: P): P {
  const complete = async (call: ProviderCall): Promise<ProviderAnswer> => {
    const answer = await provider.complete(call);
    if (answer.memory) await call.memory.save(answer.memory);
    return answer;
  };
  return Object.assign(Object.create(provider) as P, { complete });
}
