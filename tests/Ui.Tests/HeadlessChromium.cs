using Microsoft.Playwright;

namespace Kiln.Ui.Tests;

/// <summary>
/// Debian's chromium, headless, driven through Playwright's driver (which ships inside the Microsoft.Playwright package);
/// Playwright's own browser download is never used. <c>CHROMIUM_PATH</c> points at another binary.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    public const string PathVariable = "CHROMIUM_PATH";

    private static readonly string[] s_candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium"];

    // The flags a root user in a sandboxed, offline machine needs: no setuid sandbox, no GPU, and no background
    // connections to Google's services (which this machine's closed network refuses).
    private static readonly string[] s_arguments =
    [
        "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private readonly IPlaywright _playwright;

    private HeadlessChromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    /// <summary>Starts the browser; fails the test, saying how to install chromium, when there is none.</summary>
    public static async Task<HeadlessChromium> LaunchAsync()
    {
        var configured = Environment.GetEnvironmentVariable(PathVariable);
        var executable = string.IsNullOrEmpty(configured) ? s_candidates.FirstOrDefault(File.Exists) : configured;
        if (executable is null || !File.Exists(executable))
        {
            throw new InvalidOperationException(
                (executable is null ? $"Chromium is not installed (looked for {string.Join(", ", s_candidates)})" : $"{PathVariable}={executable} does not exist")
                + ", so the dashboard's browser tests cannot run. Install it with "
                + "`sudo apt-get install -y --no-install-recommends chromium` (Debian; scripts/test.sh does this), "
                + $"or set {PathVariable} to a Chromium or Chrome binary.");
        }

        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = executable,
                Headless = true,
                Args = s_arguments,
                Timeout = 60_000,
            });
            return new HeadlessChromium(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>Where screenshots go: <c>TestResults/ui-screenshots</c> beside the test assembly.</summary>
    public static string ScreenshotDirectory { get; } =
        Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "TestResults", "ui-screenshots")).FullName;

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
