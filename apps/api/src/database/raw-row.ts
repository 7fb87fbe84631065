/**
 * A property as SnakeNamingStrategy names its column (`leadId` → `lead_id`), so raw SQL keeps
 * the schema's names and its result is still typed from the entity.
 */
export type ColumnName<P extends string> = P extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`}${ColumnName<Tail>}`
  : P;

/**
 * A row of raw SQL that selects the columns of properties `K` of entity `E`, by their column
 * names. `Wire` lists the columns pg returns in another type than the entity declares: int8
 * comes back as a string (pg leaves it unparsed; an entity's transformer makes it a number).
 */
export type RawRow<
  E,
  K extends keyof E,
  Wire extends Partial<Record<keyof E, unknown>> = Record<never, never>,
> = {
  [P in K as ColumnName<P & string>]: P extends keyof Wire ? Wire[P] : E[P];
};
