export { createMemoryTofuPinStore } from "./memory-tofu-pin-store.ts";
