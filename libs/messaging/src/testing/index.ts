export { removeTopology, resetTopology } from "./reset-topology.ts";
