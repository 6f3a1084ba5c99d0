// The resilience suite restarts services and kills processes: generous per-test time.
jest.setTimeout(600_000);
