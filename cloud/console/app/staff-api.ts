import type { listSessions } from "../../auth/sessions";
import type { StaffRole } from "../../db/schema";
import type { StaffView } from "../../staff/routes";
import { request } from "./api";

export type { StaffRole, StaffView };
export type SessionRow = Awaited<ReturnType<typeof listSessions>>[number];
export type Shift = StaffView["shifts"][number];
export interface SignInLink {
  id: number;
  name: string;
  url: string;
  /** The link as a QR code (SVG made by the server with the qrcode library). */
  qrSvg: string;
  expiresAt: string;
}
export interface NewPerson {
  name: string;
  role: StaffRole;
  phone?: string;
  scopes: string[];
  shifts: Shift[];
}

/** People, their places and duty windows, their sign-in links and sessions (admins only). */
export const staffApi = {
  list: () => request<{ staff: StaffView[] }>("GET", "/api/staff"),
  // The answer's API token is not kept: people sign in to the console with a one-time link.
  create: (person: NewPerson) => request<{ staff: StaffView }>("POST", "/api/staff", person),
  update: (id: number, change: { name?: string; role?: StaffRole; phone?: string | null; active?: boolean }) =>
    request<{ staff: StaffView }>("PATCH", `/api/staff/${id}`, change),
  setScopes: (id: number, scopes: string[]) => request<{ staff: StaffView }>("PUT", `/api/staff/${id}/scopes`, { scopes }),
  setShifts: (id: number, shifts: Shift[]) => request<{ staff: StaffView }>("PUT", `/api/staff/${id}/shifts`, { shifts }),
  signInLink: (staffId: number) => request<SignInLink>("POST", "/api/sign-in-links", { staffId }),
  sessions: () => request<{ sessions: SessionRow[] }>("GET", "/api/sessions"),
  revokeSession: (id: number) => request<{ revoked: number }>("DELETE", `/api/sessions/${id}`),
};
