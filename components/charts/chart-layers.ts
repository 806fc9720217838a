"use client";

import { useEffect, type RefObject } from "react";

/**
 * Recharts 3.11 draws its z-index layers into bare SVG <g> portal containers. React puts
 * its focus listeners on every portal container, and Chromium makes an SVG element with
 * focus listeners a tab stop, so each layer became an unnamed stop inside the image.
 * tabindex="-1" takes them out of the tab order (layers appear after mount, hence the observer).
 */
export function useLayersOutOfTabOrder(root: RefObject<HTMLElement | null>) {
  useEffect(() => {
    const el = root.current;
    if (!el) return;
    const fix = () => {
      for (const layer of el.querySelectorAll('g[class*="recharts-zIndex-layer_"]:not([tabindex])')) layer.setAttribute("tabindex", "-1");
    };
    fix();
    const observer = new MutationObserver(fix);
    observer.observe(el, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, [root]);
}
