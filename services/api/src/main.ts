import { x } from "@cml-telemetry/contracts";

console.log(x);
