/*
 * The XS machine's own counters (native/xs-meter.c): slots and chunks in use and at their peak,
 * runtime keys, and with an instrumented build (mcconfig -i) the stack's peak and the modules
 * loaded. JavaScript because a host function is bound with `@`, which TypeScript has no form for.
 */
export default function meter() @ "sw_xs_meter";
