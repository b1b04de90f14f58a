import { hashString, noise } from "./seeded-random.ts";

/** Deterministic CPU % of an instance at a datapoint timestamp (epoch seconds): a daily wave, a faster wave and noise. */
export function cpuAt(instanceId: string, epochSeconds: number): number {
  const key = hashString(instanceId);
  const base = 8 + (key % 50);
  const phase = ((key >>> 8) % 360) * (Math.PI / 180);
  const wave = 12 * Math.sin((2 * Math.PI * epochSeconds) / 86_400 + phase);
  const fast = 6 * Math.sin((2 * Math.PI * epochSeconds) / 1_800 + phase * 2);
  const jitter = (noise(key, Math.floor(epochSeconds / 60)) - 0.5) * 8;
  return round2(clamp(base + wave + fast + jitter));
}

/** Deterministic memory-used % of an instance at a datapoint timestamp (epoch seconds): slow drift and small noise. */
export function memoryAt(instanceId: string, epochSeconds: number): number {
  const key = hashString(`${instanceId}/mem`);
  const base = 35 + (key % 40);
  const phase = ((key >>> 8) % 360) * (Math.PI / 180);
  const drift = 8 * Math.sin((2 * Math.PI * epochSeconds) / 7_200 + phase);
  const jitter = (noise(key, Math.floor(epochSeconds / 60)) - 0.5) * 2;
  return round2(clamp(base + drift + jitter));
}

function clamp(value: number): number {
  return Math.min(100, Math.max(0, value));
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
