using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace Trellis.Tests.Operations;

/// <summary>
/// <c>dotnet publish src/Trellis</c> of the build under test, once per test run (<c>--no-build</c>: it reuses the compiled
/// output and only lays out the folder, a few seconds), into a temporary folder.
/// </summary>
public sealed class PublishedTrellis : IAsyncLifetime
{
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "trellis-published", Guid.NewGuid().ToString("N"));
    public string Executable => Path.Combine(Folder, OperatingSystem.IsWindows() ? "trellis.exe" : "trellis");

    public async Task InitializeAsync()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Trellis.slnx"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("Trellis.slnx not found above the test folder");
        var configuration = typeof(PublishedTrellis).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        var start = new ProcessStartInfo("dotnet", ["publish", Path.Combine(root, "src", "Trellis", "Trellis.csproj"), "-c", configuration, "--no-build", "--nologo", "-v", "quiet", "-o", Folder])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root,
        };
        using var publish = Process.Start(start)!;
        var output = publish.StandardOutput.ReadToEndAsync();
        var error = publish.StandardError.ReadToEndAsync();
        await publish.WaitForExitAsync();
        Assert.True(publish.ExitCode == 0, $"dotnet publish failed: {await output}{await error}");
    }

    public Task DisposeAsync()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return Task.CompletedTask;
    }

    /// <summary>Starts <c>trellis serve</c> from the published folder in <paramref name="workingDirectory"/> and waits until it answers /health/live.</summary>
    public async Task<TrellisProcess> ServeAsync(string workingDirectory, string db, IReadOnlyDictionary<string, string>? settings = null)
    {
        var port = FreePort();
        var start = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "serve", "--db", db, "--urls", $"http://127.0.0.1:{port}" }) start.ArgumentList.Add(a);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) { start.ArgumentList.Add($"--{key}"); start.ArgumentList.Add(value); }
        start.Environment["DOTNET_NOLOGO"] = "1";
        var process = new TrellisProcess(Process.Start(start)!, $"http://127.0.0.1:{port}");
        await process.WaitUntilLiveAsync();
        return process;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A running <c>trellis serve</c> process; disposing kills it (no graceful shutdown: a crash, as far as Trellis knows).</summary>
public sealed class TrellisProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();
    public string BaseUrl { get; }
    public HttpClient Client { get; }

    public TrellisProcess(Process process, string baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
        Client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(baseUrl) };
        process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output { get { lock (_output) return _output.ToString(); } }

    public async Task WaitUntilLiveAsync()
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < until)
        {
            if (_process.HasExited) Assert.Fail($"trellis exited with {_process.ExitCode}: {Output}");
            try
            {
                if ((await Client.GetAsync("/health/live")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(200);
        }
        Assert.Fail($"trellis did not answer /health/live within 60 s: {Output}");
    }

    /// <summary>Kills the process at once (SIGKILL): no shutdown code runs.</summary>
    public void Kill()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        Client.Dispose();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
