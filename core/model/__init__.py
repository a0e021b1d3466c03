"""The caption model: its format (config, weights), its parts and their torch reference."""
