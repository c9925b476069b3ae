"""Data access. Every repository but the account one is bound to one workspace and sees nothing else."""
