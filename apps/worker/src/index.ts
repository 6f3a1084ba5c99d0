export { type ReconcileReport, Reconciler, type ReconcilerOptions } from "./reconciler";
export { type RunningWorker, type StartWorkerOptions, startWorker } from "./worker";
