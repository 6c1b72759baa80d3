"""Pictures: HUD and video overlay (cv2), plots (matplotlib, imported lazily)."""
