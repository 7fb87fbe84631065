import { type ArgumentMetadata, BadRequestException, type PipeTransform } from '@nestjs/common';
import { type z } from 'zod';

/** What a request whose input does not parse gets, inside the 400 (values are never echoed). */
export type InvalidInput = {
  code: 'invalid_input';
  /** The problems joined with "; ", for a client that shows one line. */
  message: string;
  /** One "where: what" line per problem, e.g. `assistant.provider: Invalid option ...`. */
  problems: string[];
};

/**
 * Parses one controller input with a Zod schema: `@Body(new ZodPipe(Schema))`, a whole query
 * `@Query(new ZodPipe(Schema))`, or one parameter `@Param('kind', new ZodPipe(Schema))`. The handler
 * gets the schema's output (its transforms applied, unknown keys of an object dropped); anything
 * else is a 400 with the InvalidInput body. Guards run before pipes, so a 401/403 still comes first.
 */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown, metadata: ArgumentMetadata): z.output<S> {
    const parsed = this.schema.safeParse(value);
    if (parsed.success) return parsed.data;
    throw new BadRequestException(invalidInput(parsed.error.issues, metadata));
  }
}

/** The problems named from the request's side: `month`, `assistant.apiKey`, or `body` itself. */
export function invalidInput(
  issues: readonly z.core.$ZodIssue[],
  { type, data }: Pick<ArgumentMetadata, 'type' | 'data'>,
): InvalidInput {
  const problems = issues.map((issue) => {
    const where = [data, ...issue.path].filter((part) => part !== undefined).map(String);
    return `${where.join('.') || type}: ${issue.message}`;
  });
  return { code: 'invalid_input', message: problems.join('; '), problems };
}
