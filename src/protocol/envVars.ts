/**
 * The one definition of the environment variables Agent Auth names: what a variable name may be,
 * the default name a provider's token gets, and the prefix of Agent Auth's own variables. Settings,
 * the token helper's protocol and the agents and MCP server entries use these; package.json's
 * schema and the clients in bin/ mirror ENV_VAR_NAME (test/security/oneDefinition.test.ts checks).
 */

/** A portable environment variable name: a letter or "_", then letters, digits or "_"; at most 128. */
export const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/**
 * The variable a provider's token goes into when its `envVar` is not set: ACME_TOKEN for "acme",
 * MY_IDP_TOKEN for "my-idp"; an id that starts with a digit gets a leading "_" (_1PASS_TOKEN), as a
 * name may not start with one.
 */
export const defaultEnvVar = (providerId: string): string => {
  const name = `${providerId.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}_TOKEN`;
  return /^[0-9]/.test(name) ? `_${name}` : name;
};

/** Agent Auth's own variables (AGENT_AUTH_IPC, AGENT_AUTH_NONCE, ...): never set from settings. Any case: Windows ignores it. */
export const OWN_ENV_VAR = /^AGENT_AUTH_/i;
