"""The Graph surfaces the emulator serves, one package per family of types."""
