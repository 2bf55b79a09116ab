// SvelteKit 3 takes its configuration in the Vite plugin (svelte.config.js is gone).
import node from "@sveltejs/adapter-node";
import { sveltekit } from "@sveltejs/kit/vite";
import { defineConfig } from "vite";

export default defineConfig({ plugins: [sveltekit({ adapter: node() })] });
