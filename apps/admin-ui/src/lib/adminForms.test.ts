import { isTimeZone, pageMessage, validateKitchen, validateUser } from "./adminForms";

describe("admin form checks", () => {
  it("asks for a name and a real time zone in the page's words", () => {
    expect(validateKitchen({ name: " ", timezone: "Mars/Olympus" })).toEqual({
      name: "Give the kitchen a name.",
      timezone: "Pick the kitchen's time zone from the list, for example Europe/London.",
    });
    expect(validateKitchen({ name: "Harbour", timezone: "Europe/Berlin" })).toEqual({});
    expect(isTimeZone("")).toBe(false);
  });

  it("needs a kitchen for a manager, a long password and an e-mail address", () => {
    expect(validateUser({ email: "chef", password: "short", role: "manager", kitchenId: null })).toEqual({
      email: "Enter the person's e-mail address, like name@hotel.com.",
      password: "The password needs at least 10 characters.",
      kitchen_id: "A manager runs one kitchen: choose which.",
    });
    expect(
      validateUser({ email: "a@b.co", password: "long-enough-1", role: "admin", kitchenId: null }),
    ).toEqual({});
  });

  it("rewords the API's messages", () => {
    expect(pageMessage("email", "A user with e-mail a@b.co already exists")).toBe(
      "Someone already uses this e-mail address.",
    );
    expect(pageMessage("role", "role must be manager or admin")).toBe("Role must be manager or admin");
    expect(pageMessage("email", undefined)).toBeUndefined();
  });
});
