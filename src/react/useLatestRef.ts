import { useEffect, useLayoutEffect, useRef } from 'react'

// Layout effects don't run on a server; an effect is as good there.
const useIsomorphicLayoutEffect = typeof document === 'undefined' ? useEffect : useLayoutEffect

/**
 * A ref that always holds the latest value of a render, updated before any effect of that
 * commit runs: callbacks read `ref.current` and never go stale, without being dependencies.
 */
export function useLatestRef<T>(value: T): { readonly current: T } {
  const ref = useRef(value)
  useIsomorphicLayoutEffect(() => {
    ref.current = value
  })
  return ref
}
