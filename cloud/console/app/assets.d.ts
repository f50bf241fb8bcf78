// Stylesheets imported for their side effect: esbuild bundles them into the console's CSS (../build.ts).
declare module "*.css";
