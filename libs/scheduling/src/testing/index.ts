export { initialWorkerStateFixture } from "./fixtures.ts";
