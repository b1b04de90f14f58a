import { describe, expect, it } from "vitest";
import { createFleetModel } from "../model/fleet-model.ts";
import { createManualClock } from "../testing/manual-clock.ts";
import { createFleetChurn } from "./fleet-churn.ts";

describe("createFleetChurn", () => {
  it("stops one worker, starts it again, then moves on to another", () => {
    const clock = createManualClock();
    const fleet = createFleetModel({ workers: 5, untagged: 1, now: clock.now });
    const churn = createFleetChurn(fleet);
    const first = churn.step();
    expect(first?.action).toBe("stop");
    expect(fleet.get(first?.instanceId ?? "").state).toBe("stopping");
    expect(churn.step()).toBeUndefined();
    clock.advance(30_000);
    expect(churn.step()).toEqual({ instanceId: first?.instanceId, action: "start" });
    clock.advance(60_000);
    expect(fleet.get(first?.instanceId ?? "").state).toBe("running");
    const second = churn.step();
    expect(second?.action).toBe("stop");
    expect(second?.instanceId).not.toBe(first?.instanceId);
    expect(fleet.get("bastion-1").state).toBe("running");
  });
});
