using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Mvc.Testing;
using Trellis.Accounts;
using Trellis.Tests.Infrastructure;
using static Trellis.Tests.Cycles.CycleTestKit;

namespace Trellis.Tests.Cycles;

public sealed class NotificationEmailTests
{
    [Theory, MemberData(nameof(TrellisApp.Providers), MemberType = typeof(TrellisApp))]
    public async Task A_nominated_candidate_is_emailed_when_smtp_is_configured(Provider provider)
    {
        using var smtp = new RecordingSmtpServer();
        await using var app = await TrellisApp.StartAsync(provider);
        var mailing = app.WithWebHostBuilder(b =>
        {
            b.UseSetting("Smtp:Host", "127.0.0.1");
            b.UseSetting("Smtp:Port", smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            b.UseSetting("Smtp:From", "trellis@example.test");
        });
        async Task<HttpClient> Client(string id)
        {
            var token = await app.WithDbAsync(db => new AccountService(db, TimeProvider.System).CreateTokenAsync(id, "mail"));
            var client = mailing.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);
            return client;
        }
        var hr = await Client("H1");
        await CycleAsync(hr, "mail");
        await NominatedAsync(await Client("M2"), "mail", "E1", "e3");

        var message = await smtp.NextAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("RCPT TO:<e1@example.test>", message);
        Assert.Contains("You are nominated", message);
        Assert.Contains("/nominations/", message);
    }

    /// <summary>Just enough SMTP to receive what SmtpClient sends; each message is kept with its envelope.</summary>
    private sealed class RecordingSmtpServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly BlockingCollection<string> _messages = [];
        private readonly CancellationTokenSource _stop = new();
        public int Port { get; }

        public RecordingSmtpServer()
        {
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _ = Task.Run(AcceptAsync);
        }

        public Task<string> NextAsync(TimeSpan timeout) => Task.Run(() =>
            _messages.TryTake(out var m, timeout) ? m : throw new TimeoutException("no email arrived"));

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
                catch (OperationCanceledException) { return; }
                catch (ObjectDisposedException) { return; }
                _ = Task.Run(() => ServeAsync(client));
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using var _ = client;
            var stream = client.GetStream();
            var reader = new StreamReader(stream, Encoding.ASCII);
            var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 localhost test smtp");
            var envelope = new StringBuilder();
            while (await reader.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("EHLO", StringComparison.OrdinalIgnoreCase) || line.StartsWith("HELO", StringComparison.OrdinalIgnoreCase))
                    await writer.WriteLineAsync("250 localhost");
                else if (line.StartsWith("MAIL", StringComparison.OrdinalIgnoreCase) || line.StartsWith("RCPT", StringComparison.OrdinalIgnoreCase))
                {
                    envelope.AppendLine(line);
                    await writer.WriteLineAsync("250 OK");
                }
                else if (line.StartsWith("DATA", StringComparison.OrdinalIgnoreCase))
                {
                    await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                    var data = new StringBuilder();
                    while (await reader.ReadLineAsync() is { } body && body != ".") data.Append(body).Append("\r\n");
                    _messages.Add(envelope + DecodeBody(data.ToString()));
                    envelope.Clear();
                    await writer.WriteLineAsync("250 OK");
                }
                else if (line.StartsWith("QUIT", StringComparison.OrdinalIgnoreCase))
                {
                    await writer.WriteLineAsync("221 Bye");
                    return;
                }
                else await writer.WriteLineAsync("250 OK");
            }
        }

        // SmtpClient may send the subject and body base64 or quoted-printable encoded; decode what it can so assertions read plain text.
        private static string DecodeBody(string raw)
        {
            var text = new StringBuilder(raw);
            foreach (var word in System.Text.RegularExpressions.Regex.Matches(raw, @"=\?utf-8\?B\?([A-Za-z0-9+/=]+)\?=", System.Text.RegularExpressions.RegexOptions.IgnoreCase).Cast<System.Text.RegularExpressions.Match>())
                text.AppendLine(Encoding.UTF8.GetString(Convert.FromBase64String(word.Groups[1].Value)));
            var parts = raw.Split("\r\n\r\n", 2);
            if (parts.Length == 2)
            {
                var compact = parts[1].Replace("\r\n", "");
                try { text.AppendLine(Encoding.UTF8.GetString(Convert.FromBase64String(compact))); } catch (FormatException) { }
                text.AppendLine(parts[1].Replace("=\r\n", ""));
            }
            return text.ToString();
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _listener.Dispose();
        }
    }
}
