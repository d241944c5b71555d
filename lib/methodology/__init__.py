"""The Methodology page: the checklist and the seven demonstrations behind it."""
