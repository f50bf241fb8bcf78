import type { MessageKey } from "./i18n/i18n";

/**
 * One view of the console, reached at `#<pattern>` (`/incidents/:id`). The view's element gets
 * the pattern's parameters as its `params` property. Register views in views/index.ts.
 */
export interface ViewRoute {
  pattern: string;
  /** The custom element's tag name (`sw-incident-list`). */
  tag: string;
  /** Shown in the navigation bar when set. */
  nav?: MessageKey;
  /** Only an admin is offered this view (the server enforces it anyway). */
  adminOnly?: boolean;
  /** Shown without a session (the sign-in link). */
  public?: boolean;
}

const routes: ViewRoute[] = [];

export function registerView(route: ViewRoute): void {
  routes.push(route);
}

export function navRoutes(): readonly ViewRoute[] {
  return routes.filter((route) => route.nav);
}

export interface Match {
  route: ViewRoute;
  params: Record<string, string>;
}

/** The view for a hash (`#/incidents/12`), or the first registered one for an empty or unknown hash. */
export function matchHash(hash: string): Match {
  const path = hash.replace(/^#/, "").split("?")[0] || "/";
  const parts = path.split("/").filter(Boolean);
  for (const route of routes) {
    const pattern = route.pattern.split("/").filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    if (pattern.every((segment, i) => (segment.startsWith(":") ? ((params[segment.slice(1)] = decodeURIComponent(parts[i])), true) : segment === parts[i]))) {
      return { route, params };
    }
  }
  return { route: routes[0], params: {} };
}

/** The query part of the hash (`#/?place=cm-1` → place=cm-1): filters that survive a reload. */
export function hashQuery(): URLSearchParams {
  const hash = location.hash;
  const at = hash.indexOf("?");
  return new URLSearchParams(at < 0 ? "" : hash.slice(at + 1));
}

export function href(path: string, query?: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value) params.set(key, value);
  const qs = params.toString();
  return `#${path}${qs ? `?${qs}` : ""}`;
}

export function navigate(path: string, query?: Record<string, string | undefined>): void {
  location.hash = href(path, query);
}
