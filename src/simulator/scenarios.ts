/** The simulated tenants the simulator can seed, and the tenant id it answers for by default. */
export const SIMULATOR_SCENARIOS = [
  'classic',
  'current',
  'mfa-enforced',
  'ca-mfa',
  'federated-only',
  'no-seats',
  'throttled',
] as const;

export type SimulatorScenario = (typeof SIMULATOR_SCENARIOS)[number];

/** The tenant id the Microsoft 365 Agents Playground puts on its activities (not a GUID: 13 digits). */
export const AGENTS_PLAYGROUND_TENANT_ID = '00000000-0000-0000-0000-0000000000001';
