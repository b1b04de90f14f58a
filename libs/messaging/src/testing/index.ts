export { removeTopology, resetTopology } from "./reset-topology.ts";
export { type NatsTopologyFixture, useNatsTopology } from "./use-nats-topology.ts";
