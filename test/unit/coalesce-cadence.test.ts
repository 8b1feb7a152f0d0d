/**
 * How far apart a group of pollers' own rounds are (groupRoundGapMs): a share of the shortest wait its
 * pollers asked for, less the last round's duration, never under half that wait.
 */
import { GROUP_CADENCE, groupRoundGapMs } from "../../provider/cloud/coalesce";

describe("groupRoundGapMs", () => {
  test("a round that took no time: GROUP_CADENCE of the shortest wait", () => {
    expect(groupRoundGapMs(100, 0)).toBeCloseTo(100 * GROUP_CADENCE);
    expect(groupRoundGapMs(1000, 0)).toBeCloseTo(1000 * GROUP_CADENCE);
  });

  test("the last round's duration is taken off, so a change shows within the wait, round trip included", () => {
    expect(groupRoundGapMs(100, 30)).toBeCloseTo(100 * GROUP_CADENCE - 30);
    expect(groupRoundGapMs(1000, 30)).toBeCloseTo(1000 * GROUP_CADENCE - 30);
  });

  test("never under half the wait: rounds slower than that do not make the group open them back to back", () => {
    expect(groupRoundGapMs(100, 80)).toBe(50);
    expect(groupRoundGapMs(100, 5000)).toBe(50);
  });
});
