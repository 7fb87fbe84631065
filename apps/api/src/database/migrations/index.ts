import { CreateInstallations1763900000000 } from './1763900000000-CreateInstallations';

/** Every migration in order; listed (not globbed) so vitest on src and node on dist load the same. */
export const MIGRATIONS = [CreateInstallations1763900000000];
