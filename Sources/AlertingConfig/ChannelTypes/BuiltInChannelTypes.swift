import Alerting

/// notify's own channel types, registered in ``ConfigRegistry/standard`` the way a user's are.
enum BuiltInChannelTypes {
    static let all: [ChannelType] = [
        SlackWebhookSettings.type, SlackBotSettings.type, WebhookSettings.type, ConsoleSettings.type,
        TwilioSMSSettings.type, TwilioVoiceSettings.type, HTTPGatewaySettings.smsType, HTTPGatewaySettings.voiceType,
        TeamsSettings.type, MattermostSettings.type, TelegramSettings.personType, TelegramSettings.chatType,
        PushoverSettings.type, NtfySettings.personType, NtfySettings.topicType,
        FailoverSettings.smsType, FailoverSettings.voiceType, EmailSettings.type,
    ]
}
