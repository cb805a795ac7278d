"""Every screen and page as PNG, in Chinese and English: kiosk, terminal and rating screens, the web pages."""
