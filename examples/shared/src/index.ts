export { readConfig, type ExampleConfig } from './config.js';
export { HttpProblem, toProblem } from './problem.js';
export { MemoryStore, type Membership, type Organization, type User, type Workspace } from './store.js';
export {
  createWorkspacesService,
  organizationRoles,
  workspaceRoles,
  type Identity,
  type WorkspacesService,
  type WriteResult,
} from './service.js';
export { identityFromHeaders } from './identity.js';
export { lifecycleSteps, runStep, type LifecycleStep, type StepOutcome } from './lifecycle.js';
export { startExampleStack, type ExampleStack } from './harness.js';
export { createExampleRuntime, stopOnSignal, type ExampleRuntime } from './runtime.js';
