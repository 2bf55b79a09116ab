// This app lives inside another project's tree: pin the roots to this folder so that neither
// Turbopack nor the output tracing looks for modules in the outer project.
const root = import.meta.dirname;

export default {
  turbopack: { root },
  outputFileTracingRoot: root,
  distDir: process.env.NEXT_DIST_DIR || ".next",
};
