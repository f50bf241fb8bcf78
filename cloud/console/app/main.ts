// The console's browser entry point, bundled by ../build.ts.
import "./views/index";
import "./shell";
