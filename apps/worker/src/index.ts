export { type RunningWorker, type StartWorkerOptions, startWorker } from "./worker";
