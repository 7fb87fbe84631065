/**
 * The LOG line of a request the cost cap refused, in the account's language (en, pt, es; others
 * get English): the owner set the cap and reads LOG on the lead, so it says what happened, the
 * numbers and when it ends in their words. Starts with `ERROR cost cap:` in every language, so a
 * salesbot condition or a search finds it like the quota's `ERROR quota:`.
 */
export function costCapLogLine(
  language: string,
  facts: { capUsd: number; costUsd: number; resetsOn: string },
): string {
  const cap = usd(facts.capUsd);
  const cost = usd(facts.costUsd);
  switch (language) {
    case 'pt':
      return `ERROR cost cap: o custo estimado de IA deste mês (${cost}) atingiu o limite de ${cap} definido pelo administrador; recomeça em ${facts.resetsOn}`;
    case 'es':
      return `ERROR cost cap: el costo estimado de IA de este mes (${cost}) alcanzó el límite de ${cap} fijado por el administrador; se reinicia el ${facts.resetsOn}`;
    default:
      return `ERROR cost cap: this month's estimated AI cost (${cost}) reached the cap of ${cap} the account's owner set; it resets on ${facts.resetsOn}`;
  }
}

function usd(value: number): string {
  return `US$ ${value.toFixed(2)}`;
}
