import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPlace, PlaceError, placesWithin } from "../../cloud/places/queries";
import { testCloud, type TestCloud } from "../support/cloud";

describe("place hierarchy", () => {
  let cloud: TestCloud;
  beforeEach(async () => {
    cloud = await testCloud();
  });
  afterEach(() => cloud.database.close());

  it("builds street → community → compound → building → elevator and finds what lies within", async () => {
    const db = cloud.database.db;
    await createPlace(db, { id: "st-1", parentId: null, level: "street", name: "Xinhua Street" }, 0);
    await createPlace(db, { id: "cm-1", parentId: "st-1", level: "community", name: "Heping Community" }, 0);
    await createPlace(db, { id: "cp-1", parentId: "cm-1", level: "compound", name: "No. 3 Compound" }, 0);
    await createPlace(db, { id: "bd-1", parentId: "cp-1", level: "building", name: "Building 1" }, 0);
    const elevator = await createPlace(db, { id: "el-1", parentId: "bd-1", level: "elevator", name: "Elevator A" }, 0);
    expect(elevator.path).toBe("st-1/cm-1/cp-1/bd-1/el-1/");
    expect((await placesWithin(db, "cm-1")).map((p) => p.id).sort()).toEqual(["bd-1", "cm-1", "cp-1", "el-1"]);
    expect(await placesWithin(db, "nowhere")).toEqual([]);
  });

  it("refuses a level in the wrong place, with a reason", async () => {
    const db = cloud.database.db;
    await expect(createPlace(db, { id: "bd-x", parentId: null, level: "building", name: "x" }, 0)).rejects.toThrow(PlaceError);
    await createPlace(db, { id: "st-1", parentId: null, level: "street", name: "s" }, 0);
    await expect(createPlace(db, { id: "bd-y", parentId: "st-1", level: "building", name: "y" }, 0)).rejects.toThrow(/cannot sit under a street/);
    await expect(createPlace(db, { id: "Bad Id", parentId: "st-1", level: "community", name: "y" }, 0)).rejects.toThrow(/place id/);
  });
});
