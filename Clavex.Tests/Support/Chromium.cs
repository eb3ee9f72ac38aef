using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace Clavex.Tests.Support;

/// <summary>Debian's headless Chromium under Selenium, with a throwaway profile; what every browser test starts with.</summary>
internal sealed class Chromium : IDisposable
{
    public const string Binary = "/usr/bin/chromium";
    public const string DriverBinary = "/usr/bin/chromedriver";
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private readonly DirectoryInfo _profile;

    private Chromium(ChromeDriver driver, DirectoryInfo profile)
    {
        Driver = driver;
        _profile = profile;
    }

    public ChromeDriver Driver { get; }

    /// <summary>Starts Chromium, or ignores the test when it is not installed (.ci/run installs it).</summary>
    public static Chromium Start()
    {
        if (!File.Exists(Binary) || !File.Exists(DriverBinary))
        {
            Assert.Ignore($"{Binary} or {DriverBinary} is missing; install Debian's chromium and chromium-driver (as .ci/run does).");
        }

        DirectoryInfo profile = Directory.CreateTempSubdirectory("clavex-chromium-");
        var options = new ChromeOptions { BinaryLocation = Binary };
        // Without the background-networking flags Chromium keeps trying to reach Google's hosts on a closed network.
        options.AddArguments(
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--window-size=900,1100", "--user-data-dir=" + profile.FullName);
        ChromeDriverService service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(DriverBinary)!, Path.GetFileName(DriverBinary));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        return new Chromium(new ChromeDriver(service, options, Wait), profile);
    }

    /// <summary>Saves what the browser shows as a test artifact (and for docs/images).</summary>
    public void SaveScreenshot(string fileName, string description)
    {
        string path = Path.Combine(TestContext.CurrentContext.WorkDirectory, fileName);
        ((ITakesScreenshot)Driver).GetScreenshot().SaveAsFile(path);
        TestContext.AddTestAttachment(path, description);
    }

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
        _profile.Delete(recursive: true);
    }
}
