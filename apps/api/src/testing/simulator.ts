import type { RunningSimulator } from "@occ/newbook-sim";

/** The simulator's first property as the connection a manager would enter: credentials Newbook accepts. */
export function simulatorConnection(sim: RunningSimulator) {
  const property = sim.properties[0]!;
  return {
    base_url: sim.baseUrl,
    region: property.region,
    username: property.username,
    password: property.password,
    api_key: property.apiKey,
  };
}
