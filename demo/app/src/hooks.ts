import { useDispatch } from 'react-redux'
import type { AppDispatch } from './store'

/** `useDispatch` typed for this store (thunks such as `addPlaceholder` return their value). */
export const useAppDispatch = useDispatch.withTypes<AppDispatch>()
