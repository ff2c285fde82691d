import type { CloudName } from "../cli/global-options.js";

export interface CloudConfig {
  name: CloudName | "Emulator";
  /** ARM endpoint without a trailing slash. */
  resourceManager: string;
  /** Entra ID authority host. */
  authorityHost: string;
  /** Token scope for ARM. */
  scope: string;
  /** Resource Graph lives on the ARM endpoint in every cloud. */
  portal: string;
}

/**
 * Public endpoints of the Azure clouds (the values az cloud show prints). The api-versions akspol
 * uses are the SDKs' defaults everywhere; a sovereign cloud that does not serve one yet answers
 * InvalidResourceType or NoRegisteredProviderFound, which akspol turns into a hint to pass --api-version.
 */
export const clouds: Record<CloudName, CloudConfig> = {
  AzureCloud: {
    name: "AzureCloud",
    resourceManager: "https://management.azure.com",
    authorityHost: "https://login.microsoftonline.com",
    scope: "https://management.azure.com/.default",
    portal: "https://portal.azure.com",
  },
  AzureChinaCloud: {
    name: "AzureChinaCloud",
    resourceManager: "https://management.chinacloudapi.cn",
    authorityHost: "https://login.chinacloudapi.cn",
    scope: "https://management.chinacloudapi.cn/.default",
    portal: "https://portal.azure.cn",
  },
  AzureUSGovernment: {
    name: "AzureUSGovernment",
    resourceManager: "https://management.usgovcloudapi.net",
    authorityHost: "https://login.microsoftonline.us",
    scope: "https://management.usgovcloudapi.net/.default",
    portal: "https://portal.azure.us",
  },
};

/** api-versions akspol sends by default. */
export const apiVersions = {
  /** What @azure/arm-policy 7 sends for assignments, definitions and set definitions. */
  policy: "2025-03-01",
  /** Exemptions are in no released SDK; this preview is the one whose spec and examples we carry. */
  exemptions: "2022-07-01-preview",
} as const;
