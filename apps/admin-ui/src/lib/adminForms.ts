/** Client-side checks of the admin forms, worded for the page (the API's messages name JSON fields). */

export type FormErrors<K extends string> = Partial<Record<K, string>>;

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: zone });
    return zone.trim() !== "";
  } catch {
    return false;
  }
}

export function validateKitchen(input: { name: string; timezone: string }): FormErrors<"name" | "timezone"> {
  const errors: FormErrors<"name" | "timezone"> = {};
  if (input.name.trim() === "") errors.name = "Give the kitchen a name.";
  else if (input.name.trim().length > 200) errors.name = "Keep the name under 200 characters.";
  if (!isTimeZone(input.timezone))
    errors.timezone = "Pick the kitchen's time zone from the list, for example Europe/London.";
  return errors;
}

export function validatePassword(password: string): string | undefined {
  if (password.length < 10) return "The password needs at least 10 characters.";
  if (password.length > 1024) return "The password is too long.";
  return undefined;
}

export function validateUser(input: {
  email: string;
  password: string;
  role: "manager" | "admin";
  kitchenId: number | null;
}): FormErrors<"email" | "password" | "kitchen_id"> {
  const errors: FormErrors<"email" | "password" | "kitchen_id"> = {};
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(input.email.trim()))
    errors.email = "Enter the person's e-mail address, like name@hotel.com.";
  const password = validatePassword(input.password);
  if (password) errors.password = password;
  if (input.role === "manager" && input.kitchenId === null)
    errors.kitchen_id = "A manager runs one kitchen: choose which.";
  return errors;
}

/** The API's field messages, reworded for the page where it has its own words for them. */
export function pageMessage(field: string, apiMessage: string | undefined): string | undefined {
  if (apiMessage === undefined) return undefined;
  if (field === "email" && /already/.test(apiMessage)) return "Someone already uses this e-mail address.";
  if (field === "kitchen_id" && /does not exist/.test(apiMessage))
    return "That kitchen no longer exists; reload the page.";
  if (field === "timezone") return "Pick the kitchen's time zone from the list, for example Europe/London.";
  if (field === "name") return "Give the kitchen a name (up to 200 characters).";
  if (field === "password") return "The password needs at least 10 characters.";
  return apiMessage.charAt(0).toUpperCase() + apiMessage.slice(1);
}

/** Every IANA zone the browser knows, for the searchable time zone field. */
export function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  return intl.supportedValuesOf ? intl.supportedValuesOf("timeZone") : ["UTC", "Europe/London"];
}
