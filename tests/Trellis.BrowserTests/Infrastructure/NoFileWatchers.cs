using System.Runtime.CompilerServices;

namespace Trellis.BrowserTests.Infrastructure;

/// <summary>
/// Every test host would otherwise watch its configuration files and web root with inotify, one instance per host;
/// hundreds of hosts in one run reach the kernel's default limit of 128 per user, and then a host fails to start
/// ("The configured user limit (128) on the number of inotify instances has been reached"). Tests never edit those
/// files while running, so nothing is lost by not watching them.
/// </summary>
internal static class NoFileWatchers
{
    [ModuleInitializer]
    internal static void Initialize()
    {
        Environment.SetEnvironmentVariable("DOTNET_hostBuilder__reloadConfigOnChange", "false");
        Environment.SetEnvironmentVariable("DOTNET_USE_POLLING_FILE_WATCHER", "true");
    }
}
