// Per-project default timeout (Jest 29 has no project-level testTimeout); the machine has 2 cores.
jest.setTimeout(180_000);
