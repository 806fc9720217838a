"use client";

/**
 * "Skip to content": moves keyboard focus (not only the scroll position) to the
 * element with `targetId`. The target is made focusable just for that jump and
 * loses it again on blur, so mouse clicks inside it never focus the whole area.
 * Before hydration the plain #fragment link still scrolls there.
 */
export function SkipLink({ targetId, children }: { targetId: string; children: string }) {
  return (
    <a
      href={`#${targetId}`}
      className="sr-only focus:not-sr-only focus:absolute focus:z-50 focus:m-2 focus:rounded focus:bg-white focus:p-2 focus:shadow"
      onClick={(event) => {
        const target = document.getElementById(targetId);
        if (!target) return;
        event.preventDefault();
        target.setAttribute("tabindex", "-1");
        target.addEventListener("blur", () => target.removeAttribute("tabindex"), { once: true });
        target.focus();
        target.scrollIntoView();
      }}
    >
      {children}
    </a>
  );
}
