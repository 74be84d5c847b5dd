// The agent's version, injected at build time from package.json (scripts/build.mjs).
declare const AGENT_VERSION: string | undefined;

export const VERSION: string = typeof AGENT_VERSION === 'string' ? AGENT_VERSION : '0.0.0-dev';
